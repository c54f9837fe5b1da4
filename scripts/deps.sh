#!/usr/bin/env bash
# Installs the Debian packages softdelete needs to build, test and demo,
# unless they are already there.  Run as root.
set -euo pipefail
pkgs=(postgresql-15 postgresql-server-dev-15 libipc-run-perl make gcc python3 sqlsmith
	python3-sqlalchemy python3-psycopg2 python3-django)
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
