#!/bin/sh
# deb post-install: polkit reads action policies only from its own folder.
set -e
install -D -m 0644 '/opt/${sanitizedProductName}/polkit/io.lanrage.helper.policy' \
  /usr/share/polkit-1/actions/io.lanrage.helper.policy
