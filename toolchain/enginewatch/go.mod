module bcm.invalid/toolchain/enginewatch

go 1.25.11
