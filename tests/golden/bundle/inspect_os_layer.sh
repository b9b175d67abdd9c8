# polc inspect: the OS layer's section of the review report (limits from a policy and a module,
# namespaces with the implied mount namespace, mount rules, workspaces) in each format. Only that
# section is compared, so the rest of the bundle (its artifacts and their digests) may change
# without touching this case.
mkdir -p lib
cp "$CASES/../ir/os_layer.sbx" .
cp "$CASES/../ir/lib/os_limits.sbx" lib/
"$POLC" build os_layer.sbx -o dist >/dev/null 2>&1
echo "=== --format text"
"$POLC" inspect dist/os_layer | sed -n '/^The OS layer/,/^Coverage/p' | sed '$d'
echo "=== --format md"
"$POLC" inspect dist/os_layer --format md | sed -n '/^### The OS layer/,/^### Coverage/p' | sed '$d'
echo "=== --format json"
"$POLC" inspect dist/os_layer --format json | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["os"], indent=2))'
