# polc inspect: the review report of a bundle signed by one of two required keys, in each format,
# and of the python_agent example (text). The trust verdict is in the report, not the exit status.
. "$CASES/lib.bash"
setup_keys
build_tiny --expires 2099-12-31
write_trust 2 3 alice bob carol
"$POLC" sign dist/tiny --key keys/alice.key 2>/dev/null
for format in text md json; do
  echo "=== --format $format"
  "$POLC" inspect dist/tiny --trust trust.json --format "$format"
done
echo "=== examples/python_agent.sbx"
"$POLC" build "$CASES/../../../examples/python_agent.sbx" -o dist >/dev/null 2>&1
"$POLC" inspect dist/python_agent
