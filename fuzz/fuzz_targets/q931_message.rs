#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tdm_isdn::fuzz::q931_message(data));
