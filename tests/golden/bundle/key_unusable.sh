# E0814: a private key readable by others, a file that is not a key, and keygen over an
# existing key.
. "$CASES/lib.bash"
setup_keys
build_tiny
chmod 644 keys/alice.key
status "$POLC" sign dist/tiny --key keys/alice.key
echo "not a key" >notakey.pem
chmod 600 notakey.pem
status "$POLC" sign dist/tiny --key notakey.pem
"$POLC" keygen --out keys/bob
