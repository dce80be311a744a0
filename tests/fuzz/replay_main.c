/*
 * replay_main - run a fuzz target over its seed corpus without libFuzzer.
 *
 * Built once per target as tests/fuzz/NAME.replay (one pattern rule in
 * tests/local.mk), it replays $srcdir/tests/fuzz/corpus/NAME, the NAME
 * taken from its own file name.  Each
 * regular file is passed to LLVMFuzzerTestOneInput(); a crash or sanitizer
 * report fails the test.  An empty or missing corpus is a failure too: a
 * target that replays nothing proves nothing.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "str.h"


static int
replay_file(const char *path)
{
	struct str buf = STR_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		str_append(&buf, chunk, n);
	if (ferror(fp)) {
		perror(path);
		fclose(fp);
		str_free(&buf);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput((const uint8_t *)buf.data, buf.len);
	str_free(&buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct str dir = STR_INIT, path = STR_INIT;
	const char *srcdir = getenv("srcdir");
	const char *corpus = strrchr(argv[0], '/');
	struct dirent *de;
	struct stat st;
	int count = 0, failed = 0;
	DIR *dp;

	corpus = corpus != NULL ? corpus + 1 : argv[0];
	if (argc > 1) {
		str_setz(&dir, argv[1]);
	} else {
		/* NAME.replay: the NAME part. */
		str_appendf(&dir, "%s/tests/fuzz/corpus/%.*s",
		    srcdir ? srcdir : ".", (int)strcspn(corpus, "."), corpus);
	}
	if ((dp = opendir(str_cstr(&dir))) == NULL) {
		perror(str_cstr(&dir));
		return 1;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		str_reset(&path);
		str_appendf(&path, "%s/%s", str_cstr(&dir), de->d_name);
		if (stat(str_cstr(&path), &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(str_cstr(&path)) != 0)
			failed++;
		count++;
	}
	closedir(dp);
	printf("%s: replayed %d inputs from %s\n", argv[0], count,
	    str_cstr(&dir));
	str_free(&dir);
	str_free(&path);
	if (count == 0) {
		fprintf(stderr, "%s: empty corpus\n", argv[0]);
		return 1;
	}
	return failed ? 1 : 0;
}
