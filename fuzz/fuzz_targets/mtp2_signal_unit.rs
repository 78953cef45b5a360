#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tdm_ss7::mtp2::fuzz::signal_unit(data));
