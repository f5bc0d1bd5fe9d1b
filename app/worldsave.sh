#!/bin/sh
# seatide's default world save (world.save_script): flush the Minecraft
# world to the data disk so that the snapshot taken next holds all of it.
# Cloud Assistant runs it as root; it must exit 0, or the release is refused.
# With RCON (rcon.password in server.properties and mcrcon installed) it asks
# the server to stop autosaving and save everything; autosave comes back a
# minute later, after the snapshot has been taken (a snapshot is the disk at
# the moment it is created). Without RCON it stops the server.
set -eu
dir="${SEATIDE_WORLD_MOUNT:-/data}/minecraft"
props="$dir/server.properties"
pass=""
if [ -f "$props" ]; then
  pass=$(sed -n 's/^rcon\.password=//p' "$props")
  port=$(sed -n 's/^rcon\.port=//p' "$props")
fi
if [ -n "$pass" ] && command -v mcrcon >/dev/null 2>&1; then
  mcrcon -H 127.0.0.1 -P "${port:-25575}" -p "$pass" "save-off" "save-all flush"
  (sleep 60; mcrcon -H 127.0.0.1 -P "${port:-25575}" -p "$pass" "save-on") >/dev/null 2>&1 &
else
  screen -S minecraft -p 0 -X stuff "stop$(printf '\r')" 2>/dev/null || true
  for _ in $(seq 60); do pgrep -f 'server.jar' >/dev/null || break; sleep 1; done
  ! pgrep -f 'server.jar' >/dev/null
fi
sync
