//! Links Debian's libspandsp when `pkg-config` finds it; otherwise builds an empty harness.
//!
//! spandsp's G.711 coders are `static inline` in its header, so a four-function C shim
//! (`src/shim.c`) gives them a symbol. Everything else is linked straight from the library.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(have_spandsp)");
    println!("cargo::rerun-if-changed=src/shim.c");
    println!("cargo::rerun-if-changed=build.rs");
    for variable in
        ["PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR", "SPANDSP_NO_PKG_CONFIG"]
    {
        println!("cargo::rerun-if-env-changed={variable}");
    }

    // Link flags are emitted by hand below, after the shim that depends on the library.
    let library = match pkg_config::Config::new().cargo_metadata(false).probe("spandsp") {
        Ok(library) => library,
        Err(error) => {
            println!(
                "cargo::warning=spandsp not found by pkg-config ({error}); the peer harness is built empty"
            );
            return;
        }
    };

    let mut shim = cc::Build::new();
    shim.file("src/shim.c").warnings(true);
    for path in &library.include_paths {
        shim.include(path);
    }
    // Debian installs spandsp.h under the multiarch include directory.
    let compiler = shim.get_compiler();
    if let Ok(output) = compiler.to_command().arg("-dumpmachine").output() {
        let machine = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if !machine.is_empty() {
            shim.include(format!("/usr/include/{machine}"));
        }
    }
    shim.compile("tdm_spandsp_shim");
    // The shim refers to libspandsp, so it must come before it on the link line.
    for path in &library.link_paths {
        println!("cargo::rustc-link-search=native={}", path.display());
    }
    for name in &library.libs {
        println!("cargo::rustc-link-lib={name}");
    }
    println!("cargo::rustc-cfg=have_spandsp");
}
