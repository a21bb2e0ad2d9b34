// The trezor-firmware device tests' MNEMONIC12 (tests/common.py): a public test seed,
// never to hold funds.
export const TEST_MNEMONIC = "alcohol woman abuse must during monitor noble actual mixed trade anger aisle";
