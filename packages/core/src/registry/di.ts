/**
 * The only door to tsyringe: it needs the `reflect-metadata` polyfill loaded before it, so
 * every module takes tsyringe from here. Plugins decorate with these re-exports (through
 * @strata/core), so their classes resolve in the registry's containers — tsyringe keeps its
 * decorator data per module instance.
 */
import 'reflect-metadata';

export type { DependencyContainer, InjectionToken } from 'tsyringe';
export { container as tsyringeRootContainer, inject, injectable } from 'tsyringe';
