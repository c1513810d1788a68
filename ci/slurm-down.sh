#!/usr/bin/env bash
# Stop the single-node Slurm cluster started by ci/slurm-up.sh: each daemon by its PID file only
# (never by name, never by removing packages). Safe to run when nothing is up.
set -u

stop_pidfile() { # $1 = pid file, $2 = name
  local f=$1 pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "[slurm-down] $2 ($pid) did not stop, sending KILL"
      kill -KILL "$pid"
    fi
  fi
  rm -f "$f"
}

if command -v scancel >/dev/null && [ -s /run/slurmctld.pid ]; then
  scancel --user="$(id -un)" 2>/dev/null || true # leftover jobs of this user
fi
stop_pidfile /run/slurmd.pid slurmd
stop_pidfile /run/slurmctld.pid slurmctld
stop_pidfile /run/slurmdbd.pid slurmdbd
if [ -s /run/mysqld/mysqld.pid ] && [ -x /etc/init.d/mariadb ]; then
  /etc/init.d/mariadb stop >/dev/null || true
fi
stop_pidfile /run/munge/munged.pid munged
echo "[slurm-down] down"
