#!/bin/sh
# Mutant: the AP runs unshaped (001 before its fix).
exit 0
