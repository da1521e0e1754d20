// The target process through /proc and fork/exec; no BPF here.
#include "collector/target.hpp"

#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "io/stderr.hpp"

namespace gtanalyze::collector {
namespace {

// Reads target memory through /proc/PID/mem.
class RemoteMemory {
 public:
  explicit RemoteMemory(int pid) : fd_(::open(fmt::format("/proc/{}/mem", pid).c_str(), O_RDONLY | O_CLOEXEC)) {}
  bool ok() const { return fd_.get() >= 0; }
  template <class T>
  bool read(std::uint64_t addr, T& out) const {
    return ::pread(fd_.get(), &out, sizeof(T), static_cast<off_t>(addr)) == static_cast<ssize_t>(sizeof(T));
  }

 private:
  Fd fd_;
};

}  // namespace

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string find_in_path(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return prog;
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + prog;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return prog;
}

bool process_alive(int pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

std::uint64_t load_bias(int pid, const ElfFile& elf) {
  if (elf.type() != ET_DYN) return 0;
  char exe[4096];
  const std::string link = fmt::format("/proc/{}/exe", pid);
  const ssize_t n = ::readlink(link.c_str(), exe, sizeof exe - 1);
  if (n <= 0) return 0;
  exe[n] = '\0';
  std::ifstream maps(fmt::format("/proc/{}/maps", pid));
  std::string line;
  std::uint64_t lowest = ~std::uint64_t{0};
  for (const auto& s : elf.sections()) {
    if (s.addr && s.addr < lowest) lowest = s.addr;
  }
  while (std::getline(maps, line)) {
    std::uint64_t start = 0, end = 0, off = 0;
    char perms[8], dev[16], path[4096] = "";
    unsigned long inode = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %15s %lu %4095s", &start, &end, perms, &off, dev, &inode, path) >=
            6 &&
        std::strcmp(path, exe) == 0 && off == 0) {
      // The first PT_LOAD maps file offset 0 at the page-aligned link address of the image.
      return start - (lowest & ~std::uint64_t{0xfff});
    }
  }
  return 0;
}

std::vector<InitialGoroutine> snapshot_allgs(int pid, const GoBinary& bin, std::uint64_t bias, std::string& why_not) {
  std::vector<InitialGoroutine> out;
  auto allgs = bin.data_symbol("runtime.allgs");
  if (!allgs) {
    why_not = "no runtime.allgs symbol (stripped binary): goroutines that already exist appear at their first change";
    return out;
  }
  RemoteMemory mem(pid);
  if (!mem.ok()) {
    why_not = "cannot open /proc/PID/mem";
    return out;
  }
  std::uint64_t ptr = 0, len = 0;
  if (!mem.read(*allgs + bias, ptr) || !mem.read(*allgs + bias + 8, len) || len > 10000000) {
    why_not = "cannot read runtime.allgs";
    return out;
  }
  const RuntimeOffsets& o = bin.offsets();
  for (std::uint64_t i = 0; i < len; i++) {
    std::uint64_t gp = 0;
    if (!mem.read(ptr + i * 8, gp) || gp == 0) continue;
    InitialGoroutine g;
    g.gp = gp;
    std::uint32_t status = 0;
    mem.read(gp + o.g_goid, g.goid);
    mem.read(gp + o.g_atomicstatus, status);
    mem.read(gp + o.g_waitreason, g.wait_reason);
    mem.read(gp + o.g_startpc, g.startpc);
    g.status = status & ~0x1000u;                  // without _Gscan
    if (g.status == 6 || g.status == 0) continue;  // dead or idle: not a goroutine
    out.push_back(g);
  }
  return out;
}

Result<HeldChild> HeldChild::start(const std::string& path, const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(ErrorCode::Io, 0, std::string("pipe: ") + std::strerror(errno));
  Fd r(fds[0]), w(fds[1]);
  const pid_t child = ::fork();
  if (child < 0) return make_error(ErrorCode::Io, 0, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    w.reset();
    char go = 0;
    if (::read(r.get(), &go, 1) != 1 || go != 'g') _exit(125);  // the collector failed: never run unobserved
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(path.c_str(), args.data());
    io::print_stderr("gtanalyze collect: exec {}: {}\n", path, std::strerror(errno));
    _exit(127);
  }
  return HeldChild(child, std::move(w));
}

HeldChild::HeldChild(HeldChild&& o) noexcept : pid_(std::exchange(o.pid_, 0)), release_(std::move(o.release_)) {}

HeldChild::~HeldChild() {
  if (pid_ <= 0 || release_.get() < 0) return;
  release_.reset();  // EOF: the child exits 125
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

bool HeldChild::release() {
  const char go = 'g';
  const bool told = ::write(release_.get(), &go, 1) == 1;
  if (told) release_.reset();
  return told;
}

}  // namespace gtanalyze::collector
