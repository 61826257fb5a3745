package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes lists every route of the product.
func (s *Server) routes(e *echo.Echo) {
	e.Pre(middleware.RemoveTrailingSlash())
	e.Use(s.recoverPanics, s.logRequests, s.countRequests, securityHeaders)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.showMetrics)
	e.GET("/static/*", s.serveStatic)
	e.GET("/favicon.ico", s.favicon)

	app := e.Group("", s.bodyLimit, s.authenticate, s.csrf(), s.localize)
	app.GET("/login", s.showLogin)
	app.POST("/login", s.login)
	app.POST("/logout", s.logout)
	app.POST("/settings/language", s.setLanguage)

	pages := app.Group("", s.requireUser)
	pages.GET("", s.showDashboard)
	pages.GET("/", s.showDashboard)
	pages.GET("/divisions/:code", s.showDivision)
	pages.GET("/divisions/:code/coverage.csv", s.exportCoverageCSV)
	pages.GET("/divisions/:code/coverage.xlsx", s.exportCoverageXLSX)
	pages.GET("/divisions/:code/schools.csv", s.exportSchoolsCSV)
	pages.GET("/divisions/:code/schools.xlsx", s.exportSchoolsXLSX)
	pages.GET("/schools/:code", s.showSchool)
	pages.GET("/schools/:code/checklists/new", s.newChecklist)
	pages.POST("/schools/:code/checklists", s.createChecklist)
	pages.POST("/schools/:code/checklists/preview", s.previewChecklist)
	pages.GET("/checklists/:id", s.showChecklist)
	pages.GET("/checklists/:id/edit", s.editChecklist)
	pages.POST("/checklists/:id", s.updateChecklist)
	pages.POST("/checklists/:id/preview", s.previewChecklist)
	pages.POST("/checklists/:id/verify", s.verifyChecklist)
	pages.POST("/checklists/:id/return", s.returnChecklist)
	pages.GET("/review", s.listReview)

	admin := pages.Group("/admin", s.requireRole(roleAdmin))
	admin.GET("/schools", s.listAdminSchools)
	admin.GET("/schools/new", s.newSchool)
	admin.POST("/schools", s.createSchool)
	admin.GET("/schools/:code/edit", s.editSchool)
	admin.POST("/schools/:code", s.updateSchool)
	admin.POST("/schools/:code/deactivate", s.deactivateSchool)
	admin.POST("/schools/:code/activate", s.activateSchool)
	admin.GET("/import", s.showImport)
	admin.POST("/import", s.importSchools)
	admin.GET("/users", s.listUsers)
	admin.GET("/users/new", s.newUser)
	admin.POST("/users", s.createUser)

	api := app.Group("/api/v1", s.requireAPIUser)
	api.GET("/coverage/:code", s.apiCoverage)
	api.GET("/schools/:code", s.apiSchool)
	api.POST("/schools/:code/checklists", s.apiCreateChecklist)
	api.POST("/checklists/:id/verify", s.apiVerifyChecklist)
	api.POST("/checklists/:id/return", s.apiReturnChecklist)
	api.POST("/schools/:code/hazards", s.apiCreateHazard)
	api.POST("/hazards/:id/close", s.apiCloseHazard)
}
