package model

// Level is a division's place in the GB/T 2260 hierarchy.
type Level string

const (
	LevelProvince   Level = "province"
	LevelPrefecture Level = "prefecture"
	LevelCounty     Level = "county"
)

// Division is an administrative division with a six-digit GB/T 2260 code.
type Division struct {
	Code       string
	Name       string
	NameEn     string
	ParentCode string // "" for a province
	Level      Level
}
