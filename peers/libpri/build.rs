//! Builds the C shim against Debian's libpri (`libpri-dev`: `/usr/include/libpri.h`,
//! `/usr/lib/libpri.so`; the package ships no pkg-config file) when the header compiles;
//! otherwise builds the harness without it (`AVAILABLE` is then `false`).
//!
//! The shim (`src/shim.c`) gives libpri an in-memory frame queue through `pri_new_cb`, flattens
//! `pri_event` into one plain struct, and interposes `gettimeofday()` so that libpri's timers
//! run on the harness's virtual clock.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(have_libpri)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/shim.c");
    println!("cargo::rerun-if-env-changed=LIBPRI_LIB_DIR");
    let lib_dir = std::env::var("LIBPRI_LIB_DIR").unwrap_or_else(|_| "/usr/lib".to_string());
    let mut shim = cc::Build::new();
    shim.file("src/shim.c").warnings(true).cargo_warnings(false);
    if let Err(error) = shim.try_compile("tdm_pri_shim") {
        let reason = error.to_string();
        let reason = reason.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("compile error");
        println!(
            "cargo::warning=libpri (libpri-dev) not usable ({reason}); the peer harness is built without it"
        );
        return;
    }
    println!("cargo::rustc-link-search=native={lib_dir}");
    println!("cargo::rustc-link-lib=pri");
    println!("cargo::rustc-cfg=have_libpri");
}
