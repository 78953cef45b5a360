#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = tdm_ss7::mtp3::fuzz::signalling_point(data);
});
