/** @strata/config — nix.conf, NIX_CONFIG, the Strata config file and --option, with origins. */
export {};
