#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tdm_isdn::fuzz::describe(data));
