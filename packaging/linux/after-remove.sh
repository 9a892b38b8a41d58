#!/bin/sh
# deb post-remove: the policy goes with the app.
set -e
rm -f /usr/share/polkit-1/actions/io.lanrage.helper.policy
