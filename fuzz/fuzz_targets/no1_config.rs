#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tdm_no1::fuzz::config(data));
