#!/usr/bin/env bash
# Installs the system packages the tests need (Debian), only when missing. Idempotent.
set -euo pipefail
need=()
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
# dill: byte parity with the SDK's result pickles; pika + requests: the SDK-like Python client test.
for mod in dill:python3-dill pika:python3-pika requests:python3-requests; do
  /usr/bin/python3 -c "import ${mod%%:*}" 2>/dev/null || need+=("${mod#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need[*]} (install them with: sudo apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  echo "installing ${need[*]} ..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
