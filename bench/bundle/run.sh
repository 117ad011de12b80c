#!/bin/sh
# Runs webgpu-mlp's benchmark from this bundle (made by `npm run bench:bundle`) with the node binary
# beside it: no node or npm needed, only the Vulkan loader (libvulkan.so.1) and a Vulkan driver.
# Flags go to the bench (./run.sh --help); results land in bench/results/ inside this folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

# dawn.node dlopens libvulkan.so.1 and finds no adapter without it; say so before node starts.
has_loader() {
  for ldconfig in ldconfig /sbin/ldconfig /usr/sbin/ldconfig; do
    if command -v "$ldconfig" >/dev/null 2>&1 && "$ldconfig" -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then return 0; fi
  done
  old_ifs=$IFS; IFS=:
  for dir in ${LD_LIBRARY_PATH:-} /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
    if [ -n "$dir" ] && [ -e "$dir/libvulkan.so.1" ]; then IFS=$old_ifs; return 0; fi
  done
  IFS=$old_ifs
  return 1
}
if ! has_loader; then
  cat >&2 <<'EOF'
run.sh: this machine has no Vulkan loader (libvulkan.so.1), which WebGPU in Node (dawn.node) needs.
  Debian/Ubuntu: apt-get install libvulkan1   (plus a driver: the GPU vendor's, or mesa-vulkan-drivers for lavapipe)
  No network: unpack carried .debs with `dpkg -x libvulkan1_*.deb / && ldconfig` (see device-run.sh).
EOF
  exit 3
fi

# No driver manifest in the standard folders but NVIDIA's driver mounted elsewhere (containers): use it.
# (One test per file: `ls a b c` fails when any one pattern matches nothing, e.g. an empty /etc/vulkan.)
has_manifest() {
  for manifest in /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json; do
    if [ -f "$manifest" ]; then return 0; fi
  done
  return 1
}
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  if ! has_manifest; then
    if [ -f "$nvidia_icd" ]; then
      export VK_DRIVER_FILES="$nvidia_icd"
      echo "run.sh: no Vulkan driver in the standard folders; using $VK_DRIVER_FILES" >&2
    else
      echo "run.sh: no Vulkan driver manifest (icd.d/*.json) found; set VK_DRIVER_FILES to your driver's JSON" >&2
    fi
  fi
fi

cd "$here"
exec "$here/node" dist/lib/bench.js "$@"
