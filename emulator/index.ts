// The x86-64 emulator library: CPU, memory, decode cache, ELF loading and the kernel harness.
// It takes bytes, ELF files and scenarios and returns results and traces; it knows nothing of mail, git or UI.
export {};
