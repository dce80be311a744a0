#!/bin/sh
# The layers of the tree, as README's map draws them: lib/ (shared) knows
# neither program; sendmail-shim/ and milter/ use lib/ and not each other.
# A header is named by its file name alone (the include path decides), so
# an include of a name that lives in another program's directory is a
# layering error, whatever directory the build would find it in.
set -u
top=${srcdir:-.}
nfail=0
check() {	# check NAME FROM-DIR FORBIDDEN-DIR...
	name=$1 from=$2
	shift 2
	bad=""
	for dir in "$@"; do
		for h in "$top/$dir"/*.h; do
			[ -e "$h" ] || continue
			b=${h##*/}
			hits=$(grep -l "^#[ 	]*include[ 	]*\"$b\"" "$top/$from"/*.[ch] 2>/dev/null)
			[ -n "$hits" ] && bad="$bad $(echo "$hits" | sed "s|^$top/||" | tr '\n' ' ')includes $dir/$b;"
		done
	done
	if [ -z "$bad" ]; then
		echo "ok: $name"
	else
		echo "FAIL: $name:$bad"
		nfail=$((nfail + 1))
	fi
}
check "lib/ includes no program's header" lib sendmail-shim milter
check "sendmail-shim/ includes nothing of milter/" sendmail-shim milter
check "milter/ includes nothing of sendmail-shim/" milter sendmail-shim
# The command line is the shim's: lib/ does not even name it.
if grep -l 'smopt' "$top"/lib/*.[ch] > /dev/null 2>&1; then
	echo "FAIL: lib/ names smopt: $(grep -l smopt "$top"/lib/*.[ch] | tr '\n' ' ')"
	nfail=$((nfail + 1))
else
	echo "ok: lib/ does not name the command line (smopt)"
fi
[ "$nfail" -eq 0 ]
