/*
 * Fuzz target for lib/json.c: any text.  What it accepts must read back
 * the same after being written out again: every member, as a string (with
 * json_append_string) or a number, parses into the same values.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "str.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object o, p;
	struct str err = STR_INIT, again = STR_INIT;
	size_t i;

	if (json_object_parse((const char *)data, size, &o, &err) == JSON_OK) {
		str_appendc(&again, '{');
		for (i = 0; i < o.n; i++) {
			if (i > 0)
				str_appendc(&again, ',');
			json_append_string(&again, o.v[i].name);
			str_appendc(&again, ':');
			if (o.v[i].type == JSON_STRING)
				json_append_string(&again, o.v[i].value);
			else if (o.v[i].type == JSON_NUMBER)
				str_appendz(&again, o.v[i].value);
			else
				str_appendz(&again, "null");
		}
		str_appendc(&again, '}');
		if (json_object_parse(again.data, again.len, &p, &err) !=
		    JSON_OK || p.n != o.n)
			abort();
		for (i = 0; i < o.n; i++)
			if (strcmp(o.v[i].name, p.v[i].name) != 0 ||
			    (o.v[i].type == JSON_STRING &&
			    strcmp(o.v[i].value, json_get_string(&p,
			    o.v[i].name)) != 0))
				abort();
		json_object_free(&p);
	}
	json_object_free(&o);
	str_free(&err);
	str_free(&again);
	return 0;
}
