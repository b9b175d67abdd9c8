# E0803, E0804, E0805: a changed artifact, a removed one, an extra file, a directory and a symlink
# are each named; nothing about trust is decided for such a bundle.
. "$CASES/lib.bash"
setup_keys
build_tiny
write_trust 1 3 alice
"$POLC" sign dist/tiny --key keys/alice.key
printf 'x' >>dist/tiny/landlock.json
rm dist/tiny/nftables.nft
echo '#!/bin/sh' >dist/tiny/run.sh
mkdir dist/tiny/extra
ln -s /etc/passwd dist/tiny/sources/passwd
"$POLC" verify dist/tiny --trust trust.json
