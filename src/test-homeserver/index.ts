// The test homeserver's public surface: start one, seed its model, inject
// faults, inspect the requests it saw.

export type { FaultKind, FaultSpec } from './faults.ts';
export { Faults } from './faults.ts';
export type { Flavour } from './flavours.ts';
export type {
  CreateRoomOptions,
  Device,
  DeviceSeed,
  JsonObject,
  MatrixEvent,
  Membership,
  Pusher,
  RoomEvent,
  UserSeed,
} from './model.ts';
export { HomeserverModel } from './model.ts';
export type { RecordedRequest, TestHomeserver, TestHomeserverOptions } from './server.ts';
export { startTestHomeserver } from './server.ts';
