//! Builds the C shims against Debian's libss7 (`libss7-dev`: `/usr/include/libss7.h`,
//! `libss7.so`; the package ships no pkg-config file) when they compile; otherwise builds the
//! harness without it (`AVAILABLE` is then `false`).
//!
//! Every file in `SHIMS` is compiled into one static library; a new shim (another part of
//! libss7 to drive) is one more entry.

/// C files of the harness, relative to the crate.
const SHIMS: &[&str] = &["src/shim.c", "src/isup.c"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(have_libss7)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=LIBSS7_LIB_DIR");
    let mut build = cc::Build::new();
    for shim in SHIMS {
        println!("cargo::rerun-if-changed={shim}");
        build.file(shim);
    }
    build.warnings(true).cargo_warnings(false);
    if let Err(error) = build.try_compile("tdm_ss7_shim") {
        let reason = error.to_string();
        let reason = reason.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("compile error");
        println!(
            "cargo::warning=libss7 (libss7-dev) not usable ({reason}); the peer harness is built without it"
        );
        return;
    }
    if let Ok(dir) = std::env::var("LIBSS7_LIB_DIR") {
        println!("cargo::rustc-link-search=native={dir}");
    }
    println!("cargo::rustc-link-lib=ss7");
    println!("cargo::rustc-cfg=have_libss7");
}
