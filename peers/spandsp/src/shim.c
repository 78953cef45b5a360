/* Symbols for spandsp's static inline G.711 coders, so Rust can call them. */
#include <stdint.h>
#include <spandsp.h>

uint8_t tdm_spandsp_linear_to_alaw(int linear) { return linear_to_alaw(linear); }
int16_t tdm_spandsp_alaw_to_linear(uint8_t alaw) { return alaw_to_linear(alaw); }
uint8_t tdm_spandsp_linear_to_ulaw(int linear) { return linear_to_ulaw(linear); }
int16_t tdm_spandsp_ulaw_to_linear(uint8_t ulaw) { return ulaw_to_linear(ulaw); }
