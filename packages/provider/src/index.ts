// @keyward/provider as a library: the provider definition (to serve or test in-process) and the
// installer that puts the built executable where `terraform init` finds it.
export { keywardProvider } from "./provider";
export { builtExecutable, defaultPluginDirectory, installProvider, PROVIDER_VERSION, terraformPlatform, type InstalledProvider, type InstallProviderOptions } from "./installProvider";
