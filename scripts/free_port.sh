# scripts/free_port.sh, sourced by the benchmark scripts: free_port prints a loopback port nothing
# listens on, found with bash's /dev/tcp alone (no other tool needed on a fresh Debian).
free_port() {
  local p
  for p in $(shuf -i 20000-60000 -n 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
