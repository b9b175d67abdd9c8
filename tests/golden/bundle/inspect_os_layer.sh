# polc inspect: the OS layer of a bundle (os.json's namespaces, limits in the policy's units,
# mounts with the statement behind each, workspaces), in the text report and the JSON one.
"$POLC" build "$CASES/os_layer.sbx" -o dist >/dev/null 2>&1
echo "=== text (the OS layer section)"
"$POLC" inspect dist/os_layer | sed -n '/^OS layer/,/^Coverage/p' | sed '$d'
echo "=== json (.os)"
"$POLC" inspect dist/os_layer --format json | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["os"], indent=2))'
echo "=== attribution.json (.os)"
python3 -c 'import json, sys; print(json.dumps(json.load(open("dist/os_layer/attribution.json"))["os"], indent=2))'
