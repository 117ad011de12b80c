#!/bin/bash
# Runs the benchmark bundle on a bare Linux x86-64 GPU machine (the lent NVIDIA one): unpacks the
# bundle archive, installs the carried Vulkan loader .debs when libvulkan is missing, points Vulkan
# at NVIDIA's driver when no driver is registered, and runs the bench refusing CPU adapters.
#   bash bench/bundle/device-run.sh [bundle.tar.xz] [bench flags...]   (or ./device-run.sh inside a bundle)
# Env: GL_DEBS (folder of loader .debs, default .gl), BUNDLE_TMP (unpack folder, default /tmp), OUT.
set -euo pipefail

bundle=$(cd "$(dirname "$0")" && pwd)
if [[ ${1:-} == *.tar.xz ]]; then
  archive=$1; shift
  dest=${BUNDLE_TMP:-/tmp}
  mkdir -p "$dest"
  # python3's tarfile where xz is not installed; both keep the file modes (node stays executable).
  if command -v xz >/dev/null; then tar -C "$dest" -xJf "$archive"
  else python3 -c 'import sys, tarfile
kw = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
tarfile.open(sys.argv[1]).extractall(sys.argv[2], **kw)' "$archive" "$dest"; fi
  bundle=$dest/$(basename "$archive" .tar.xz)
fi
[[ -x $bundle/run.sh ]] || { echo "device-run.sh: no bundle at $bundle (give the .tar.xz from npm run bench:bundle)" >&2; exit 2; }

# The device README's recipe: the Vulkan loader (and glvnd, which NVIDIA's ICD library links) as .debs.
debs=${GL_DEBS:-.gl}
if ! ldconfig -p | grep 'libvulkan\.so\.1 ' >/dev/null; then
  if compgen -G "$debs/*.deb" >/dev/null; then
    for f in "$debs"/*.deb; do dpkg -x "$f" /; done
    ldconfig
    echo "device-run.sh: unpacked $(ls "$debs"/*.deb | wc -l) loader packages from $debs" >&2
  else
    echo "device-run.sh: no libvulkan.so.1 and no .debs in $debs (GL_DEBS); see README 'On a real GPU'" >&2
  fi
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [[ -z ${VK_DRIVER_FILES:-} && -f $nvidia_icd ]] && ! compgen -G '/usr/share/vulkan/icd.d/*.json' >/dev/null && ! compgen -G '/etc/vulkan/icd.d/*.json' >/dev/null; then
  export VK_DRIVER_FILES=$nvidia_icd
fi
echo "device-run.sh: VK_DRIVER_FILES=${VK_DRIVER_FILES:-<unset>}" >&2
command -v nvidia-smi >/dev/null && nvidia-smi -L || true

log=${OUT:+$OUT/bench.log}
"$bundle/run.sh" --require-gpu "$@" 2>&1 | tee "${log:-/dev/null}"
if [[ -n ${OUT:-} ]]; then cp "$bundle"/bench/results/*.json "$OUT"/ 2>/dev/null || true; fi
