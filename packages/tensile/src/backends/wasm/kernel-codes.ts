/**
 * Op codes of the kernels, by the contract's op names. The codes are asm/ enums whose members are
 * named as the contract names its ops; the build generates them into generated/kernel-interface.ts.
 * `codesFor<Op>()(Code)` checks at compile time that every member names an op of `Op`, so a kernel
 * op the contract does not know (a typo, a rename on either side) fails `tsc`.
 */
export function codesFor<Op extends string>() {
  return <Codes extends { readonly [name in keyof Codes]: name extends Op ? number : never }>(codes: Codes): Codes => codes;
}
