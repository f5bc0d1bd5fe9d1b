#!/bin/sh
# An example deploy script: Cloud Assistant runs it as root once the new
# server is Running. It installs Java and a Minecraft server and starts it.
# The ECS simulator runs nothing; it reports the echo lines as the output.
set -eu
echo "seatide deploy: installing Java"
apt-get update -q && apt-get install -y -q openjdk-21-jre-headless screen
mkdir -p /opt/minecraft && cd /opt/minecraft
echo "seatide deploy: fetching the Minecraft server"
curl -fsSLo server.jar "${SERVER_JAR_URL:-https://piston-data.mojang.com/v1/objects/REPLACE_ME/server.jar}"
echo "eula=true" > eula.txt
screen -dmS minecraft java -Xms1G -Xmx3G -jar server.jar nogui
echo "seatide deploy: done"
