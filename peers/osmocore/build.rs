//! Links Debian's libosmocore when `pkg-config` finds it; otherwise builds the harness without it
//! (`AVAILABLE` is then `false` and the wrappers cannot be constructed).
//!
//! `src/layout.c` reports the C size and field offsets of `struct osmo_isdnhdlc_vars`, so a test
//! can check the Rust declaration against the installed header.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(have_osmocore)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/layout.c");

    let library = match pkg_config::Config::new().probe("libosmocore") {
        Ok(library) => library,
        Err(error) => {
            // pkg-config's message runs over several lines; a cargo warning takes one.
            let reason = error.to_string();
            let reason = reason.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("not found");
            println!(
                "cargo::warning=libosmocore not found by pkg-config ({reason}); the peer harness is built without it"
            );
            return;
        }
    };
    let mut layout = cc::Build::new();
    layout.file("src/layout.c").warnings(true);
    for path in &library.include_paths {
        layout.include(path);
    }
    layout.compile("tdm_osmocore_layout");
    println!("cargo::rustc-cfg=have_osmocore");
}
