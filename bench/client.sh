#!/usr/bin/env bash
# Token.Client's GetAccessTokenAsync served from its cache against GET /tokens/validate/{id} through the gateway
# (bench/TokenPlatform.Benchmarks/ClientBench.cs, BenchmarkDotNet), on a platform of its own (local mode, throw-away
# data): PostgreSQL and RabbitMQ as ./test.sh installs them, and ./run.sh stopped. Prints BenchmarkDotNet's table;
# Ratio is the figure.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/TokenPlatform.Benchmarks -c Release --nologo -v quiet
dotnet run -c Release --no-build --project bench/TokenPlatform.Benchmarks -- client
