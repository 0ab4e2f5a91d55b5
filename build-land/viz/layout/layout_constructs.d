build-land/viz/layout/layout_constructs.o: viz/layout/layout_constructs.c \
 viz/model/constructs.h viz/model/view_model.h \
 runtime/model/trace_model.h viz/layout/layout_internal.h \
 viz/layout/layout.h viz/layout/drawlist.h viz/layout/ui.h \
 viz/model/view_model.h viz/model/playhead.h viz/layout/theme.h
viz/model/constructs.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
viz/layout/layout_internal.h:
viz/layout/layout.h:
viz/layout/drawlist.h:
viz/layout/ui.h:
viz/model/view_model.h:
viz/model/playhead.h:
viz/layout/theme.h:
