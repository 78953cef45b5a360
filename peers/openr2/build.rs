//! Builds the C shim against Debian's OpenR2 (`libopenr2-dev`: `/usr/include/openr2.h`,
//! `libopenr2.so`) and the DAHDI user header (`dahdi-source`: `/usr/include/dahdi/user.h`)
//! when both compile; otherwise builds the harness without them (`AVAILABLE` is then `false`).
//!
//! The shim (`src/shim.c`) emulates the DAHDI channel OpenR2 1.3.3 insists on by defining
//! `ioctl()`, `read()` and `write()` for the descriptors it registers, defines
//! `gettimeofday()` for virtual time, and flattens OpenR2's callbacks into events.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(have_openr2)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/shim.c");
    println!("cargo::rerun-if-env-changed=OPENR2_LIB_DIR");
    let mut shim = cc::Build::new();
    shim.file("src/shim.c").warnings(true).cargo_warnings(false);
    if let Err(error) = shim.try_compile("tdm_openr2_shim") {
        let reason = error.to_string();
        let reason = reason.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("compile error");
        println!(
            "cargo::warning=OpenR2 (libopenr2-dev, dahdi-source) not usable ({reason}); the peer harness is built without it"
        );
        return;
    }
    if let Ok(dir) = std::env::var("OPENR2_LIB_DIR") {
        println!("cargo::rustc-link-search=native={dir}");
    }
    println!("cargo::rustc-link-lib=openr2");
    println!("cargo::rustc-cfg=have_openr2");
}
