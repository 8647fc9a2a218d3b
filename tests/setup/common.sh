# Shared by run.sh and test.sh: Debian packages, configure, build, ctest.

WEAVER_PACKAGES=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-dev
  libpcap-dev libssh-dev libssl-dev libboost-dev libjs-chart.js nlohmann-json3-dev libcli11-dev libfmt-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev
  tcpdump hping3 ethtool python3 openssh-server openssh-client iproute2
  # The lab's kvm and libvirt datapaths: QEMU, libvirtd and virsh, and what
  # their guests boot (the cloud kernel's virtio modules, a static busybox).
  qemu-system-x86 libvirt-daemon-system libvirt-clients linux-image-cloud-amd64 busybox-static
)

# Only the tests need these: the HTML report is rendered in headless Chromium,
# Google Benchmark's own compare tool (with SciPy) reads weaver.json, the
# published Bencher Metric Format schema checks bencher.json (jsonschema), and
# bpftrace takes the in-kernel reference the captures are checked against.
WEAVER_TEST_PACKAGES=(chromium libbenchmark-tools python3-scipy python3-jsonschema bpftrace nftables)

# install_packages [extra packages...]: installs only what is missing; a
# second run installs nothing.
install_packages() {
  local missing=()
  local package
  for package in "${WEAVER_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "weaver: missing Debian packages (${missing[*]}); run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# configure_and_build DIR [cmake options...]: configures (the options always
# apply, so a changed option takes effect), then builds incrementally.
configure_and_build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

run_ctest() {
  local dir=$1
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" --timeout 300
}
