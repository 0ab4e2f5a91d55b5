build-land/viz/layout/layout_panels.o: viz/layout/layout_panels.c \
 viz/model/findings.h viz/model/view_model.h runtime/model/trace_model.h \
 viz/layout/layout_internal.h viz/layout/layout.h viz/layout/drawlist.h \
 viz/layout/ui.h viz/model/view_model.h viz/model/playhead.h \
 viz/layout/theme.h
viz/model/findings.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
viz/layout/layout_internal.h:
viz/layout/layout.h:
viz/layout/drawlist.h:
viz/layout/ui.h:
viz/model/view_model.h:
viz/model/playhead.h:
viz/layout/theme.h:
