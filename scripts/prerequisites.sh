# Sourced by run.sh and test.sh: makes sure this machine has what the platform needs.
#   require_local_servers: PostgreSQL and RabbitMQ from the OS packages (the tests always use them;
#   `run.sh` only when no container engine answers); require_commands: programs a script calls.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

container_engine_answers() {
  local engine="${ASPIRE_CONTAINER_RUNTIME:-docker}"
  command -v "$engine" > /dev/null 2>&1 && timeout 10 "$engine" info > /dev/null 2>&1
}

require_dotnet() {
  if ! command -v dotnet > /dev/null 2>&1; then
    echo "The .NET SDK 10 is missing: install it (https://dot.net/download), then run this again." >&2
    exit 1
  fi
}

require_local_servers() {
  local packages=()
  compgen -G "/usr/lib/postgresql/*/bin/postgres" > /dev/null || command -v postgres > /dev/null 2>&1 || packages+=(postgresql)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || command -v rabbitmq-server > /dev/null 2>&1 || packages+=(rabbitmq-server)
  install_packages "${packages[@]}"
}

# require_commands COMMAND...: each missing command is installed from the OS package of the same name.
require_commands() {
  local packages=()
  for command in "$@"; do
    command -v "$command" > /dev/null 2>&1 || packages+=("$command")
  done
  install_packages "${packages[@]}"
}

install_packages() {
  local packages=("$@")
  if [ ${#packages[@]} -gt 0 ]; then
    if ! command -v apt-get > /dev/null 2>&1; then
      echo "Missing: ${packages[*]}. Install them with your package manager." >&2
      exit 1
    fi
    echo "Installing ${packages[*]} from the OS packages..."
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" > /dev/null
  fi
}
