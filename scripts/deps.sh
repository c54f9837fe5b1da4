#!/usr/bin/env bash
# Installs the Debian packages softdelete needs to build, test and demo,
# unless they are already there.  Run as root.
set -euo pipefail
pkgs=(postgresql-15 postgresql-server-dev-15 libipc-run-perl make gcc python3 sqlsmith
	python3-sqlalchemy python3-psycopg2 python3-django python3-flask-sqlalchemy
	ruby-activerecord ruby-pg libpostgresql-jdbc-java default-jdk-headless
	postgresql-15-cron
	zip unzip debhelper postgresql-server-dev-all dpkg-dev)
# Node.js and npm: the machine's own when it has them, else Debian's
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian's postgresql package starts a cluster of its own; it is not used.
export PATH=/usr/lib/postgresql/15/bin:$PATH
# The Sequelize client's packages (test/clients/sequelize), from the npm
# registry, as its package-lock.json pins them
seq=$(cd "$(dirname "$0")/../test/clients/sequelize" && pwd)
if [ ! -f "$seq/node_modules/.package-lock.json" ]; then
	(cd "$seq" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
