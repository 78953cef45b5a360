#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tdm_ss7::describe::fuzz(data));
