#!/bin/sh
# An example deploy script: Cloud Assistant runs it as root once the new
# server is Running. It installs Java and a Minecraft server and starts it.
# The ECS simulator runs nothing; it reports the echo lines as the output.
set -eu
echo "seatide deploy: installing Java"
apt-get update -q && apt-get install -y -q openjdk-21-jre-headless screen
# The world's data disk (seatide passes SEATIDE_WORLD_MOUNT): the second
# disk, formatted the first time only (a disk made from a snapshot already
# holds the world), mounted, and the server kept on it.
if [ -n "${SEATIDE_WORLD_MOUNT:-}" ]; then
  dev=$(lsblk -dpno NAME,TYPE | awk '$2 == "disk" {print $1}' | sed -n 2p)
  blkid "$dev" >/dev/null 2>&1 || mkfs.ext4 -q "$dev"
  mkdir -p "$SEATIDE_WORLD_MOUNT" && mount "$dev" "$SEATIDE_WORLD_MOUNT"
fi
dir="${SEATIDE_WORLD_MOUNT:-/opt}/minecraft"
mkdir -p "$dir" && cd "$dir"
echo "seatide deploy: fetching the Minecraft server"
[ -f server.jar ] || curl -fsSLo server.jar "${SERVER_JAR_URL:-https://piston-data.mojang.com/v1/objects/REPLACE_ME/server.jar}"
echo "eula=true" > eula.txt
screen -dmS minecraft java -Xms1G -Xmx3G -jar server.jar nogui
echo "seatide deploy: done"
