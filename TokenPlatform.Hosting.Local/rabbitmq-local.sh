# Runs one RabbitMQ node in the foreground for the AppHost's local mode.
# Arguments: DATA_DIR EPHEMERAL(true|false)
# Environment: RABBITMQ_NODE_PORT (allocated by Aspire), RABBITMQ_DIST_PORT, ERL_EPMD_PORT,
#              RABBITMQ_USER, RABBITMQ_PASSWORD, RABBITMQ_SERVER (path of the rabbitmq-server script)
set -euo pipefail
data="$1" ephemeral="$2"
mkdir -p "$data/log"
cd "$data"

# Everything the node writes stays under DATA_DIR; the Erlang cookie is created in HOME.
export HOME="$data"
export RABBITMQ_NODENAME="tokenplatform@localhost"
export RABBITMQ_MNESIA_BASE="$data/mnesia"
export RABBITMQ_LOG_BASE="$data/log"
export RABBITMQ_LOGS="-"
export RABBITMQ_CONFIG_FILE="$data/rabbitmq.conf"
export RABBITMQ_ENABLED_PLUGINS_FILE="$data/enabled_plugins"
export RABBITMQ_ADVANCED_CONFIG_FILE="$data/advanced.config"

umask 077
cat > "$data/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_NODE_PORT
default_user = $RABBITMQ_USER
default_pass = $RABBITMQ_PASSWORD
loopback_users = none
CONF
echo '[].' > "$data/enabled_plugins"
echo '[].' > "$data/advanced.config"

"$RABBITMQ_SERVER" &
pid=$!
trap 'kill -TERM "$pid" 2> /dev/null || true' TERM INT HUP
status=0
while kill -0 "$pid" 2> /dev/null; do
  wait "$pid" || status=$?
done

# The node started a port mapper daemon on this run's own ERL_EPMD_PORT; it must not outlive the node.
epmd -port "$ERL_EPMD_PORT" -kill > /dev/null 2>&1 || true
if [ "$ephemeral" = true ]; then
  rm -rf "$data"
fi
exit "$status"
