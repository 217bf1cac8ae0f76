/* SPDX-License-Identifier: MIT */
/*
 * Cleaning of strings a producer takes from a driver or the firmware (a Vulkan ICD's device
 * name, a kernel attribute) before they enter a document: the renderers escape again, but a
 * document is also read by other tools. Portable; also compiled by MinGW.
 */
#ifndef PTDIAG_TEXT_CLEAN_H
#define PTDIAG_TEXT_CLEAN_H

/* Replaces, in place, every byte that is not part of valid UTF-8 and every control character
 * but tab and newline with '?'. text may be NULL. */
void ptd_text_clean(char *text);

#endif
