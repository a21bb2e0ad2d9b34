module bcm.invalid/toolchain/dockerforward

go 1.25.11
