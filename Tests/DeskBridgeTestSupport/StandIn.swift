import DeskBridgeReplay

/// The stand-in server lives in the replay target (the `replay` command uses it too).
package typealias StandInServer = DeskBridgeReplay.StandInServer
