package model

// SampleFacts are complete facts that meet every default rule for a school
// of up to 999 day students checked on day d: two licensed guards, an alarm
// tested ten days before. Tests across the packages share this one sample.
func SampleFacts(d Date) Facts {
	return Facts{
		NursingPost:      NursingPostFacts{SetUp: new(true), AMStaff: new(2), PMStaff: new(2), PolicePresent: new(true), RosterOnFile: new(true)},
		ClosedManagement: ClosedManagementFacts{PerimeterEnclosed: new(true), GateRoom24h: new(true), VisitorRegistration: new(true), AntiRamming: new(AntiRamming("bollards"))},
		SecurityGuards:   SecurityGuardsFacts{FullTimeGuards: new(2), LicensedGuards: new(2)},
		OneButtonAlarm:   OneButtonAlarmFacts{Installed: new(true), LinkedToPolice: new(true), LastTestOn: new(d.AddDays(-10)), LastTestOK: new(true)},
		VideoNetworking:  VideoNetworkingFacts{Cameras: new(12), GateCovered: new(true), NetworkedToPolice: new(true), RetentionDays: new(30)},
	}
}
