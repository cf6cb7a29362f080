/**
 * A seccomp filter for sandbox workers, as the raw classic-BPF program bubblewrap takes with
 * `--seccomp FD`. Generated here rather than with libseccomp (a native build): the program is a
 * short deny list, checked against the kernel headers' syscall numbers for each architecture.
 *
 * It denies what a worker never needs and an escaped guest would reach for first: sockets other
 * than AF_UNIX (the IPC channel), ptrace and reading other processes' memory, mounting and
 * namespaces, kernel modules, keyrings, BPF, perf, userfaultfd and io_uring. A syscall from
 * another ABI (i386 or x32 on x86_64) ends the process.
 */

const AF_UNIX = 1;
const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
/** Offsets in struct seccomp_data: nr, arch, then (after the instruction pointer) args[0]'s low word on little-endian. */
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16;
const X32_SYSCALL_BIT = 0x40000000;

type DeniedSyscall =
  | 'ptrace'
  | 'process_vm_readv'
  | 'process_vm_writev'
  | 'mount'
  | 'umount2'
  | 'pivot_root'
  | 'chroot'
  | 'unshare'
  | 'setns'
  | 'open_tree'
  | 'move_mount'
  | 'fsopen'
  | 'fsconfig'
  | 'fsmount'
  | 'fspick'
  | 'mount_setattr'
  | 'swapon'
  | 'swapoff'
  | 'reboot'
  | 'sethostname'
  | 'setdomainname'
  | 'init_module'
  | 'finit_module'
  | 'delete_module'
  | 'kexec_load'
  | 'kexec_file_load'
  | 'bpf'
  | 'perf_event_open'
  | 'keyctl'
  | 'add_key'
  | 'request_key'
  | 'userfaultfd'
  | 'open_by_handle_at'
  | 'name_to_handle_at'
  | 'acct'
  | 'io_uring_setup'
  | 'io_uring_enter'
  | 'io_uring_register';

interface Architecture {
  auditArch: number;
  socket: number;
  denied: Record<DeniedSyscall, number>;
  rejectsX32: boolean;
}

// Numbers from <asm/unistd_64.h> (x86_64) and <asm-generic/unistd.h> (aarch64).
const ARCHITECTURES: Partial<Record<NodeJS.Architecture, Architecture>> = {
  x64: {
    auditArch: 0xc000003e,
    socket: 41,
    rejectsX32: true,
    denied: {
      ptrace: 101,
      process_vm_readv: 310,
      process_vm_writev: 311,
      mount: 165,
      umount2: 166,
      pivot_root: 155,
      chroot: 161,
      unshare: 272,
      setns: 308,
      open_tree: 428,
      move_mount: 429,
      fsopen: 430,
      fsconfig: 431,
      fsmount: 432,
      fspick: 433,
      mount_setattr: 442,
      swapon: 167,
      swapoff: 168,
      reboot: 169,
      sethostname: 170,
      setdomainname: 171,
      init_module: 175,
      finit_module: 313,
      delete_module: 176,
      kexec_load: 246,
      kexec_file_load: 320,
      bpf: 321,
      perf_event_open: 298,
      keyctl: 250,
      add_key: 248,
      request_key: 249,
      userfaultfd: 323,
      open_by_handle_at: 304,
      name_to_handle_at: 303,
      acct: 163,
      io_uring_setup: 425,
      io_uring_enter: 426,
      io_uring_register: 427,
    },
  },
  arm64: {
    auditArch: 0xc00000b7,
    socket: 198,
    rejectsX32: false,
    denied: {
      ptrace: 117,
      process_vm_readv: 270,
      process_vm_writev: 271,
      mount: 40,
      umount2: 39,
      pivot_root: 41,
      chroot: 51,
      unshare: 97,
      setns: 268,
      open_tree: 428,
      move_mount: 429,
      fsopen: 430,
      fsconfig: 431,
      fsmount: 432,
      fspick: 433,
      mount_setattr: 442,
      swapon: 224,
      swapoff: 225,
      reboot: 142,
      sethostname: 161,
      setdomainname: 162,
      init_module: 105,
      finit_module: 273,
      delete_module: 106,
      kexec_load: 104,
      kexec_file_load: 294,
      bpf: 280,
      perf_event_open: 241,
      keyctl: 219,
      add_key: 217,
      request_key: 218,
      userfaultfd: 282,
      open_by_handle_at: 265,
      name_to_handle_at: 264,
      acct: 89,
      io_uring_setup: 425,
      io_uring_enter: 426,
      io_uring_register: 427,
    },
  },
};

/** io_uring answers "not implemented" so libuv falls back to its thread pool; the rest answer EPERM. */
const ANSWER_ENOSYS = new Set<DeniedSyscall>(['io_uring_setup', 'io_uring_enter', 'io_uring_register']);

interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const load = (offset: number): Instruction => ({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: offset });
const ret = (value: number): Instruction => ({ code: BPF_RET_K, jt: 0, jf: 0, k: value });
const errno = (code: number) => ret(SECCOMP_RET_ERRNO | code);

/** The filter for the architecture Node runs on, or undefined where we have no syscall table. */
export function seccompFilterFor(arch: NodeJS.Architecture = process.arch): Buffer | undefined {
  const table = ARCHITECTURES[arch];
  if (!table) return undefined;
  const program: Instruction[] = [
    load(OFFSET_ARCH),
    { code: BPF_JEQ_K, jt: 1, jf: 0, k: table.auditArch },
    ret(SECCOMP_RET_KILL_PROCESS),
    load(OFFSET_NR),
  ];
  if (table.rejectsX32) program.push({ code: BPF_JGE_K, jt: 0, jf: 1, k: X32_SYSCALL_BIT }, ret(SECCOMP_RET_KILL_PROCESS));
  for (const [name, number] of Object.entries(table.denied) as Array<[DeniedSyscall, number]>) {
    program.push({ code: BPF_JEQ_K, jt: 0, jf: 1, k: number }, errno(ANSWER_ENOSYS.has(name) ? ENOSYS : EPERM));
  }
  // socket(domain, …): only AF_UNIX.
  program.push(
    { code: BPF_JEQ_K, jt: 0, jf: 3, k: table.socket },
    load(OFFSET_ARG0_LOW),
    { code: BPF_JEQ_K, jt: 1, jf: 0, k: AF_UNIX },
    errno(EAFNOSUPPORT),
    ret(SECCOMP_RET_ALLOW),
  );
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach((instruction, index) => {
    bytes.writeUInt16LE(instruction.code, index * 8);
    bytes.writeUInt8(instruction.jt, index * 8 + 2);
    bytes.writeUInt8(instruction.jf, index * 8 + 3);
    bytes.writeUInt32LE(instruction.k, index * 8 + 4);
  });
  return bytes;
}
